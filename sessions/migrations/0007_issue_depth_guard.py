"""Sub-points nest one level deep, under a top-level issue of their own session: a database guard.

A check constraint sees one row only, so triggers read the parent: a point of a point, a point
under another session's issue, an issue with points becoming a point, or an issue moving to another
session without its points is refused with an integrity error, whoever writes (admin, ``update()``,
``bulk_create()``, imports, scripts). ``Issue.clean`` gives the same rule as a form message first.

On SQLite a later migration that rebuilds this table (``_remake_table``) drops its triggers: such a
migration must create them again (``tests/sessions/test_models_issue_depth.py`` notices).
"""

from django.db import migrations

TABLE = "programme_sessions_issue"
MESSAGE = "A sub-point belongs under a top-level issue of its own session, and has no sub-points."

POSTGRESQL = f"""
CREATE FUNCTION issue_nesting_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent RECORD;
BEGIN
    IF NEW.parent_id IS NOT NULL THEN
        -- FOR SHARE waits for a concurrent change of the parent and reads its committed row
        SELECT parent_id, session_id INTO parent FROM {TABLE} WHERE id = NEW.parent_id FOR SHARE;
        IF FOUND AND (parent.parent_id IS NOT NULL OR parent.session_id <> NEW.session_id) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (SELECT 1 FROM {TABLE} WHERE parent_id = NEW.id) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
    ELSIF TG_OP = 'UPDATE' AND NEW.session_id <> OLD.session_id
          AND EXISTS (SELECT 1 FROM {TABLE} WHERE parent_id = NEW.id AND session_id <> NEW.session_id) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER issue_nesting BEFORE INSERT OR UPDATE OF parent_id, session_id ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION issue_nesting_check();
"""
POSTGRESQL_REVERSE = f"DROP TRIGGER issue_nesting ON {TABLE}; DROP FUNCTION issue_nesting_check();"

_BAD_PARENT = f"""EXISTS (SELECT 1 FROM {TABLE} p WHERE p.id = NEW.parent_id
                  AND (p.parent_id IS NOT NULL OR p.session_id <> NEW.session_id))"""
SQLITE = [
    f"""CREATE TRIGGER issue_nesting_insert BEFORE INSERT ON {TABLE}
        WHEN NEW.parent_id IS NOT NULL AND {_BAD_PARENT}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER issue_nesting_update BEFORE UPDATE OF parent_id, session_id ON {TABLE}
        WHEN (NEW.parent_id IS NOT NULL
              AND ({_BAD_PARENT} OR EXISTS (SELECT 1 FROM {TABLE} c WHERE c.parent_id = NEW.id)))
          OR EXISTS (SELECT 1 FROM {TABLE} c WHERE c.parent_id = NEW.id AND c.session_id <> NEW.session_id)
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER issue_nesting_insert", "DROP TRIGGER issue_nesting_update"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("programme_sessions", "0006_session_kind")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [POSTGRESQL], "sqlite": SQLITE}),
            _run({"postgresql": [POSTGRESQL_REVERSE], "sqlite": SQLITE_REVERSE}),
        )
    ]
