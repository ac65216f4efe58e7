from django.db import transaction


class ReplicaRouter:
    """Send reads to the replica and writes to the primary (used when DATABASE_REPLICA_URL is set).

    Reads inside a transaction on the primary stay on the primary: a write path
    (validation, version checks, the change log) must see its own writes, which a
    lagging replica may not have yet.
    """

    def db_for_read(self, model, **hints):
        if transaction.get_connection("default").in_atomic_block:
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
