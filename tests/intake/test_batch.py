"""POST /api/v1/appeals/batch: a partner's backlog in one transaction, safe to send again."""
from concurrent.futures import ThreadPoolExecutor

from rq import Queue
from sqlalchemy import func, select

from kernel.db import db
from models import Appeal, AppealEvent, OutboxMessage
from tests.factories import appeal_body

BATCH = "/api/v1/appeals/batch"


def _numbers(response) -> list[str]:
    return [result["appeal"]["number"] for result in response.get_json()["results"]]


def test_a_batch_is_stored_in_order_with_one_event_and_one_job_each(client, world, database, app, redis_conn):
    _, partner = world.user("partner")
    items = [appeal_body(text=f"第{i}件：园区道路长期积水，货车进出困难。") for i in range(3)]
    response = client.post(BATCH, json={"appeals": items}, headers=partner)
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["created"] for r in results] == [True] * 3
    assert [r["appeal"]["external_id"] for r in results] == [i["external_id"] for i in items]
    assert [r["appeal"]["complainant"]["masked"] for r in results] == [True] * 3
    assert [n[-6:] for n in _numbers(response)] == ["000001", "000002", "000003"]
    stored = database.session.scalars(select(Appeal).order_by(Appeal.number)).all()
    assert [a.text for a in stored] == [i["text"] for i in items]
    assert [[e.action for e in a.events] for a in stored] == [["receive"]] * 3
    assert database.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
    assert Queue(app.config["RQ_QUEUE"], connection=redis_conn).count == 3
    redis_conn.flushdb()


def test_sending_a_batch_again_stores_nothing_twice(client, world, database, redis_conn):
    _, partner = world.user("partner")
    items = [appeal_body() for _ in range(3)]
    first = client.post(BATCH, json={"appeals": items}, headers=partner)
    again = client.post(BATCH, json={"appeals": items}, headers=partner)
    assert [r["created"] for r in again.get_json()["results"]] == [False] * 3
    assert _numbers(again) == _numbers(first)
    assert database.session.scalar(select(func.count()).select_from(Appeal)) == 3
    redis_conn.flushdb()


def test_a_batch_with_some_seen_before_numbers_the_new_ones_without_gaps(client, world, redis_conn):
    _, partner = world.user("partner")
    seen = appeal_body()
    first = client.post("/api/v1/appeals", json=seen, headers=partner).get_json()["number"]
    response = client.post(BATCH, json={"appeals": [appeal_body(), seen, appeal_body()]}, headers=partner)
    assert [r["created"] for r in response.get_json()["results"]] == [True, False, True]
    numbers = _numbers(response)
    assert numbers[1] == first
    assert [n[-6:] for n in numbers] == ["000002", first[-6:], "000003"]
    redis_conn.flushdb()


def test_one_bad_appeal_refuses_the_whole_batch_naming_it(client, world, database):
    _, partner = world.user("partner")
    response = client.post(BATCH, json={"appeals": [appeal_body(), appeal_body(text="短")]}, headers=partner)
    assert response.status_code == 400
    assert response.get_json()["errors"]["appeals"]["1"]["text"] == ["诉求内容应为5至5000个字"]
    assert database.session.scalar(select(func.count()).select_from(Appeal)) == 0


def test_every_appeal_of_a_batch_needs_its_channel_id(client, world):
    _, partner = world.user("partner")
    response = client.post(BATCH, json={"appeals": [appeal_body(), appeal_body(external_id=None)]}, headers=partner)
    assert response.status_code == 400
    assert "external_id" in response.get_json()["errors"]["appeals"]["1"]


def test_the_same_channel_id_twice_in_a_batch_is_refused(client, world, database):
    _, partner = world.user("partner")
    body = appeal_body()
    response = client.post(BATCH, json={"appeals": [body, {**body, "text": "另一段文字，但编号相同。"}]}, headers=partner)
    assert response.status_code == 400
    assert response.get_json()["errors"]["appeals"]["1"] == {"external_id": ["同一批中渠道编号重复"]}
    assert database.session.scalar(select(func.count()).select_from(Appeal)) == 0


def test_a_batch_for_another_city_is_refused(client, world):
    _, partner = world.user("partner")
    response = client.post(BATCH, json={"appeals": [appeal_body(), appeal_body(city="赣州")]}, headers=partner)
    assert response.status_code == 400
    assert list(response.get_json()["errors"]["appeals"]) == ["1"]


def test_a_batch_has_one_to_a_hundred_appeals(client, world):
    _, partner = world.user("partner")
    for size in (0, 101):
        response = client.post(BATCH, json={"appeals": [appeal_body() for _ in range(size)]}, headers=partner)
        assert response.status_code == 400
        assert response.get_json()["errors"]["appeals"] == ["每批应有1至100件诉求"]


def test_a_batch_counts_against_the_limit_as_many_appeals(client, world, low_limits, redis_conn):
    _, partner = world.user("partner")
    assert client.post(BATCH, json={"appeals": [appeal_body(), appeal_body()]}, headers=partner).status_code == 200
    assert client.post(BATCH, json={"appeals": [appeal_body()]}, headers=partner).status_code == 429
    redis_conn.flushdb()


def test_racing_batches_store_each_appeal_once_with_no_gaps(app, live_world):
    _, partner = live_world.user("partner")
    shared = [appeal_body(external_id=f"race-batch-{i}") for i in range(5)]

    def post(n):
        with app.test_client() as c:
            own = [appeal_body(external_id=f"own-{n}-{i}") for i in range(2)]
            return c.post(BATCH, json={"appeals": own + shared}, headers=partner)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(post, range(6)))
    assert [r.status_code for r in responses] == [200] * 6
    assert len({tuple(_numbers(r)[2:]) for r in responses}) == 1  # everyone answered with the same five
    created = [r["created"] for response in responses for r in response.get_json()["results"][2:]]
    assert created.count(True) == 5
    db.session.remove()
    numbers = db.session.scalars(select(Appeal.number).order_by(Appeal.number)).all()
    assert len(numbers) == 5 + 6 * 2
    assert [int(n[-6:]) for n in numbers] == list(range(1, len(numbers) + 1))
    assert db.session.scalar(select(func.count()).select_from(AppealEvent)) == len(numbers)


def test_batches_sharing_ids_in_opposite_orders_do_not_deadlock(app, live_world):
    """The appeals are inserted before the number is drawn, so two batches wait on each other's
    rows; they insert in the order of their keys, whatever order they were sent in."""
    _, partner = live_world.user("partner")
    shared = [appeal_body(external_id=f"cross-{i}") for i in range(5)]

    def post(n):
        with app.test_client() as c:
            return c.post(BATCH, json={"appeals": shared if n % 2 else shared[::-1]}, headers=partner)

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(post, range(4)))
    assert [r.status_code for r in responses] == [200] * 4
    by_id = [{r["appeal"]["external_id"]: r["appeal"]["number"] for r in response.get_json()["results"]}
             for response in responses]
    assert all(answer == by_id[0] for answer in by_id)
    db.session.remove()
    numbers = db.session.scalars(select(Appeal.number).order_by(Appeal.number)).all()
    assert [int(n[-6:]) for n in numbers] == [1, 2, 3, 4, 5]
