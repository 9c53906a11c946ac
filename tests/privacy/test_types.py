import pytest
from sqlalchemy import String, create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from privacy import crypto, keys
from privacy.lookup import blind_index
from privacy.rotation import encrypted_columns, rotate_table
from privacy.types import EncryptedString

OLD, NEW = keys.generate_data_key(), keys.generate_data_key()
INDEX_KEY = "i" * 32


class Base(DeclarativeBase):
    pass


class Complaint(Base):
    __tablename__ = "complaint"
    id: Mapped[int] = mapped_column(primary_key=True)
    complainant_phone: Mapped[str] = mapped_column(EncryptedString())
    complainant_phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    complainant_name: Mapped[str | None] = mapped_column(EncryptedString())


@pytest.fixture(autouse=True)
def configured(monkeypatch):
    monkeypatch.setattr(keys, "_keys", None)
    keys.configure([OLD], INDEX_KEY)


@pytest.fixture
def engine():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return engine


def add(session, phone, name):
    row = Complaint(complainant_phone=phone, complainant_phone_hash=blind_index(phone, "phone"),
                    complainant_name=name)
    session.add(row)
    return row


def raw_rows(engine):
    with engine.connect() as connection:
        return connection.execute(
            text("select id, complainant_phone, complainant_name from complaint order by id")
        ).all()


def test_stored_value_is_ciphertext_and_loads_as_plaintext(engine):
    with Session(engine) as session:
        add(session, "13812341234", "张三")
        session.commit()
    ((_, phone, name),) = raw_rows(engine)
    assert "13812341234" not in phone and "张三" not in name
    assert crypto.decrypt(phone) == "13812341234"
    with Session(engine) as session:
        row = session.scalars(select(Complaint)).one()
        assert (row.complainant_phone, row.complainant_name) == ("13812341234", "张三")


def test_none_is_stored_as_null(engine):
    with Session(engine) as session:
        add(session, "13812341234", None)
        session.commit()
        assert session.scalars(select(Complaint).where(Complaint.complainant_name == None)).one()  # noqa: E711
        assert session.scalars(select(Complaint).where(Complaint.complainant_name.is_(None))).one()
    assert raw_rows(engine)[0][2] is None


def test_query_by_blind_index(engine):
    with Session(engine) as session:
        add(session, "13812341234", "张三")
        add(session, "13912345678", "李四")
        session.commit()
        found = session.scalars(
            select(Complaint).where(Complaint.complainant_phone_hash == blind_index("+86 139 1234 5678", "phone"))
        ).one()
        assert found.complainant_name == "李四"


@pytest.mark.parametrize("condition", [
    lambda c: c == "13812341234",
    lambda c: c != "13812341234",
    lambda c: c.in_(["13812341234"]),
    lambda c: c.like("138%"),
    lambda c: c.startswith("138"),
])
def test_comparing_ciphertext_in_sql_is_refused(condition):
    with pytest.raises(TypeError, match="blind-index"):
        condition(Complaint.complainant_phone)


def test_non_string_value_is_refused(engine):
    with Session(engine) as session:
        add(session, "13812341234", "张三").complainant_name = 42
        with pytest.raises(Exception, match="expects str"):
            session.commit()


def test_rotate_table_rewrites_old_values_only_once(engine):
    with Session(engine) as session:
        for i in range(7):
            add(session, f"1381234{i:04d}", None if i == 3 else f"用户{i}")
        session.commit()
    before = raw_rows(engine)
    keys.configure([NEW, OLD], INDEX_KEY)
    assert rotate_table(engine, Complaint.__table__, batch_size=3) == 13
    assert rotate_table(engine, Complaint.__table__, batch_size=3) == 0
    after = raw_rows(engine)
    assert all(b[1] != a[1] for b, a in zip(before, after))
    keys.configure([NEW], INDEX_KEY)
    with Session(engine) as session:
        rows = session.scalars(select(Complaint).order_by(Complaint.id)).all()
        assert [r.complainant_phone for r in rows] == [f"1381234{i:04d}" for i in range(7)]
        assert rows[3].complainant_name is None and rows[6].complainant_name == "用户6"


def test_encrypted_columns_are_discovered():
    assert [c.name for c in encrypted_columns(Complaint.__table__)] == ["complainant_phone", "complainant_name"]


def test_rotate_table_leaves_a_concurrently_updated_value_alone(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine, other = create_engine(url), create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        add(session, "13812341234", "张三")
        session.commit()
    keys.configure([NEW, OLD], INDEX_KEY)

    def rotate_while_the_app_writes(token):
        with Session(other) as session:
            session.scalars(select(Complaint)).one().complainant_name = "王五"
            session.commit()
        return crypto.rotate(token)

    monkeypatch.setattr("privacy.rotation.rotate", rotate_while_the_app_writes)
    rotate_table(engine, Complaint.__table__)
    with Session(engine) as session:
        assert session.scalars(select(Complaint)).one().complainant_name == "王五"
