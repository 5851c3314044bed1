"""Exit 0 if the PostgreSQL test database answers, else 1 (used by `make test`)."""

import os
import sys

from sqlalchemy import create_engine, text

URL = os.environ.get(
    "PORTAL_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_available() -> bool:
    try:
        engine = create_engine(URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        print(f"PostgreSQL not available: {type(error).__name__}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    sys.exit(0 if postgres_available() else 1)
