"""The component's migration gives exactly the tables of its models, and seeds the types."""

from sqlalchemy import select

from amicale_grant.models import GrantType


def test_models_and_migrations_agree(app):
    from amicale import migrations

    state = app.extensions["amicale"]
    with state.db.engine.connect() as conn:
        assert "grant" in migrations.current_heads(state.registry, conn)
        assert migrations.compare(state.registry, conn) == []


def test_an_organisation_starts_with_three_grant_types(in_app):
    with in_app() as s:
        names = s.scalars(select(GrantType.name).order_by(GrantType.weight)).all()
    assert names == ["Project grant", "Operating grant", "Emergency grant"]
