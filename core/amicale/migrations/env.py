"""Alembic environment: runs on the connection Amicale hands in (one transaction)."""

from alembic import context
from sqlalchemy import create_engine

config = context.config
connection = config.attributes.get("connection")
metadata = config.attributes["metadata"]


def run(conn):
    context.configure(
        connection=conn,
        target_metadata=metadata,
        render_as_batch=conn.dialect.name == "sqlite",
        compare_type=True,
        include_object=config.attributes.get("include_object"),
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:  # plain `alembic` command with sqlalchemy.url set
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        run(conn)
