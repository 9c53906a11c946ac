"""scripts/pg_env.py: the libpq settings of DATABASE_URL, the password in PGPASSWORD, stray PG* cleared."""
import subprocess
import sys

from tests.conftest import ROOT


def shell_settings(url: str) -> tuple[int, dict, str]:
    """Evaluate the script's output in a shell that starts with a stray PGHOSTADDR and PGSERVICE."""
    script = f'out=$("{sys.executable}" "{ROOT}/scripts/pg_env.py" DATABASE_URL) || exit $?; eval "$out"; env'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "PGHOSTADDR": "10.0.0.9", "PGSERVICE": "prod"})
    found = dict(line.split("=", 1) for line in done.stdout.splitlines() if line.startswith("PG"))
    return done.returncode, found, done.stderr


def test_every_part_of_the_url_reaches_libpq_and_nothing_else():
    code, found, _ = shell_settings("postgresql+psycopg://app:p%40ss%20w%27rd@db-primary:5433/appeals?sslmode=require")
    assert code == 0
    assert found == {"PGHOST": "db-primary", "PGPORT": "5433", "PGUSER": "app", "PGPASSWORD": "p@ss w'rd",
                     "PGDATABASE": "appeals", "PGSSLMODE": "require"}


def test_other_databases_and_unknown_parameters_are_refused():
    for url, message in (("sqlite:///instance/appeals.db", "只支持 PostgreSQL"),
                         ("postgresql+psycopg://app@db/appeals?gssencmode=disable", "不认识的连接参数：gssencmode"),
                         ("postgresql+psycopg://app@db", "URL 中没有数据库名")):
        code, _, error = shell_settings(url)
        assert code == 2 and message in error
