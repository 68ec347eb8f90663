"""The component's migrations (0001, 0002) give exactly the tables of its models."""


def test_models_and_migrations_agree(app):
    from amicale import migrations

    state = app.extensions["amicale"]
    with state.db.engine.connect() as conn:
        assert "membership" in migrations.current_heads(state.registry, conn)
        assert migrations.compare(state.registry, conn) == []
