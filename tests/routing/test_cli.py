"""`flask routing train|predict|evaluate|versions`."""
import json

from routing import store
from tests.routing.test_service import WAGES, add_table, fresh_cache, install_model  # noqa: F401


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["routing", *args], input=input)


def test_train_builds_and_activates_a_version_printing_its_size(app, world):
    add_table(world)
    result = run(app, "train", "--city", "金昌")
    assert result.exit_code == 0, result.output
    assert "金昌 分拨模型第 1 版已启用" in result.output
    assert "可分拨单位 4 个，事项 4 条，派单员纠正 0 条" in result.output
    assert "留出纠正 0 条" in result.output
    assert "训练模型" in result.stderr  # the progress bar, beside the report on stdout
    [row] = store.versions(world.city.id)
    assert row.active
    listing = run(app, "versions", "--city", "金昌")
    assert "第 1 版（当前）" in listing.output and "单位 4，事项 4，纠正 0（留出 0）" in listing.output


def test_train_refuses_an_unknown_city_or_one_without_table(app, world):
    assert "没有城市「乙市」" in run(app, "train", "--city", "乙市").output
    result = run(app, "train", "--city", "金昌")
    assert result.exit_code == 1 and "尚未导入任务分工表" in result.output


def test_predict_writes_one_json_line_per_input_line(app, world):
    install_model(world)
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in (
        {"id": "a", "text": WAGES}, {"id": 2, "text": "喂喂"}, {"id": "c", "text": WAGES, "city": "乙市"}))
    result = run(app, "predict", "--city", "金昌", input=lines + "\n")
    assert result.exit_code == 0, result.output
    first, second = [json.loads(line) for line in result.output.splitlines()]
    assert set(first) == {"id", "lead", "assisting", "urgency", "manual", "reason", "confidence", "life_danger",
                          "candidates"}
    assert (first["id"], first["lead"], first["manual"]) == ("a", "市人社局", False)
    assert set(first["candidates"][0]) == {"unit", "p"}
    assert (second["id"], second["lead"], second["manual"], second["candidates"]) == (2, None, True, [])


def test_predict_refuses_a_line_without_text(app, world):
    install_model(world)
    result = run(app, "predict", "--city", "金昌", input='{"id": 1, "text": "x"}\n{"id": 2}\n')
    assert result.exit_code == 1 and "第2行缺少 id 或 text" in result.output


def test_evaluate_prints_the_figures_with_short_unit_names_matched(app, world, tmp_path):
    install_model(world)
    records = [
        {"id": 1, "city": "金昌", "text": WAGES, "gold_lead": "人社局", "acceptable": [], "urgency": "urgent"},
        {"id": 2, "city": "金昌", "text": "喂喂", "gold_lead": "人工分拨", "acceptable": [], "urgency": "normal"},
        {"id": 3, "city": "金昌", "text": WAGES, "gold_lead": "市工信局", "acceptable": [], "urgency": "emergency"},
        {"id": 4, "city": "乙市", "text": WAGES, "gold_lead": "市工信局", "acceptable": [], "urgency": "normal"},
    ]
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    result = run(app, "evaluate", "--city", "金昌", str(path))
    assert result.exit_code == 0, result.output
    assert "金昌：3 条诉求" in result.output
    # 人社局 is 市人社局; the wage appeal is right once of twice, the empty one goes to manual dispatch
    assert "首选正确率 top-1：66.7%" in result.output
    assert "人工分拨率：33.3%" in result.output and "自动分拨准确率：50.0%" in result.output
    assert "紧急诉求被判为一般或咨询：0 条" in result.output


def test_predict_trains_first_when_the_city_has_no_model(app, world):
    add_table(world)
    result = run(app, "predict", "--city", "金昌", input=json.dumps({"id": "a", "text": WAGES}) + "\n")
    assert result.exit_code == 0, result.output
    assert "金昌 分拨模型第 1 版已启用" in result.stderr
    [line] = [json.loads(x) for x in result.stdout.splitlines()]
    assert (line["id"], line["lead"]) == ("a", "市人社局")
    assert store.versions(world.city.id)[0].active


def test_evaluate_on_the_starter_corpus_validation_part(app, world):
    from routing import corpus

    if not corpus.part("validation"):
        import pytest
        pytest.skip("starter corpus not available")
    install_model(world)
    result = run(app, "evaluate", "--city", "金昌", "--corpus", "validation")
    assert result.exit_code == 0, result.output
    assert f"金昌：{len(corpus.part('validation'))} 条诉求" in result.output
    assert "紧急诉求被自动分拨给非应承办单位" in result.output and "作风投诉被自动分拨给被投诉单位" in result.output
    assert "请给出标注文件路径或 --corpus 之一" in run(app, "evaluate", "--city", "金昌").output
