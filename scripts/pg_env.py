"""Print the libpq settings (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, …) of the SQLAlchemy
URL held in the environment variable named on the command line, as shell code:

    eval "$(.venv/bin/python scripts/pg_env.py DATABASE_URL)"

so that pg_dump, pg_restore, psql and createdb reach the database the app uses. The password goes
to PGPASSWORD, never onto a command line (which every user sees with ps). Every other PG* setting
inherited from the caller is cleared first: a stray PGHOSTADDR or PGSERVICE would point the tools
at another server than the URL names.
"""
import os
import shlex
import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

CLEARED = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE", "PGOPTIONS",
           "PGSSLMODE", "PGSSLROOTCERT", "PGSSLCERT", "PGSSLKEY", "PGCONNECT_TIMEOUT", "PGAPPNAME",
           "PGTARGETSESSIONATTRS")
# URL query parameters libpq knows, and the variable each becomes.
QUERY = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
         "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
         "application_name": "PGAPPNAME", "options": "PGOPTIONS", "target_session_attrs": "PGTARGETSESSIONATTRS"}


def settings(value: str) -> dict[str, str]:
    url = make_url(value)
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"只支持 PostgreSQL，这里是 {url.get_backend_name()}（SQLite 只用于开发）")
    if not url.database:
        raise ValueError("URL 中没有数据库名")
    found = {"PGHOST": url.host, "PGPORT": url.port and str(url.port), "PGUSER": url.username,
             "PGPASSWORD": url.password, "PGDATABASE": url.database}
    for name, variable in QUERY.items():
        if name in url.query:
            found[variable] = url.query[name]
    unknown = sorted(set(url.query) - set(QUERY))
    if unknown:
        raise ValueError(f"不认识的连接参数：{', '.join(unknown)}")
    return {variable: str(v) for variable, v in found.items() if v}


def main(name: str) -> int:
    value = os.environ.get(name, "")
    if not value:
        print(f"未设置 {name}", file=sys.stderr)
        return 2
    try:
        found = settings(value)
    except (ArgumentError, ValueError) as error:
        print(f"{name} 无效：{error}", file=sys.stderr)
        return 2
    print("unset " + " ".join(CLEARED))
    for variable, v in found.items():
        print(f"export {variable}={shlex.quote(v)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
