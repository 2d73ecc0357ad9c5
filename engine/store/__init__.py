"""The SQL store: SQLAlchemy 2 tables, Alembic migrations and the repositories of ports."""

from engine.store.db import Database
from engine.store.errors import ConflictError, StoreError
from engine.store.maintenance import clear_business_data
from engine.store.uow import SqlUnitOfWork

__all__ = ["ConflictError", "Database", "SqlUnitOfWork", "StoreError", "clear_business_data"]
