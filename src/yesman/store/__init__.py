"""The audit trail: every decision yesman takes (and, optionally, bus events) in SQLite.

`AuditStore` is the whole API: open it as an async context manager, `record()` decisions,
`list_decisions()` to read them back; readers open it with ``read_only=True``. See
`yesman.store._audit` for the durability guarantee and `yesman.store._errors` for the errors.
"""

from yesman.store._audit import AuditStore, EventLike
from yesman.store._baselines import BaselineExistsError, StoredBaseline
from yesman.store._errors import (
    StoreClosedError,
    StoreCorruptError,
    StoreError,
    StoreForeignError,
    StoreFullError,
    StoreGoneError,
    StoreLockedError,
    StoreNotFoundError,
    StoreUnwritableError,
    StoreVersionError,
)
from yesman.store._paths import default_db_path
from yesman.store._records import DecisionRecord, EventRecord
from yesman.store._schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "AuditStore",
    "BaselineExistsError",
    "DecisionRecord",
    "EventLike",
    "EventRecord",
    "StoreClosedError",
    "StoreCorruptError",
    "StoreError",
    "StoreForeignError",
    "StoreFullError",
    "StoreGoneError",
    "StoreLockedError",
    "StoreNotFoundError",
    "StoreUnwritableError",
    "StoreVersionError",
    "StoredBaseline",
    "default_db_path",
]
