"""`WebhookSink`: POST a notification as JSON (yesman's, Slack's, ntfy's or Alertmanager's).

HTTP is aiohttp's client: asyncio-native, one connection pool per sink, and already in the lock
file for the tests' servers, so it adds no package. It is imported when the first webhook sink
is made, so a watcher without one never loads it.

An answer of 2xx is delivered; 408, 429 and 5xx, a refused connection or a timeout are failures
the dispatcher retries; any other 4xx is permanent (the receiver will refuse it again).

In the ``alertmanager`` format the sink re-posts every alert it knows to be firing every
`REFRESH` seconds: Alertmanager expects clients to re-send active alerts (its docs say every 30 s
to 3 min) and resolves those it stops hearing about once their ``endsAt`` passes. It is told of
every end (even with ``send_resolved = false`` or a silence) and posts the ends of the alerts it
posted firing, so Alertmanager never holds an alert that ended here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from yesman._lifecycle import Runner
from yesman.alerts._config import SinkConfig, WebhookFormat
from yesman.alerts._errors import DeliveryError
from yesman.alerts._formats import alertmanager_alert, alertmanager_url, body, ntfy_target
from yesman.alerts._model import Notification, NotificationStatus

if TYPE_CHECKING:
    import aiohttp

__all__ = ["REFRESH", "WebhookSink"]

_log = logging.getLogger(__name__)

REFRESH: Final = 60.0
_RETRYABLE_4XX: Final = frozenset({408, 425, 429})


class WebhookSink:
    """See the module docstring. `start()` opens the HTTP session, `aclose()` closes it."""

    def __init__(self, config: SinkConfig, *, clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None
        fmt = config.format
        if fmt is WebhookFormat.ALERTMANAGER:
            self._url = alertmanager_url(config.url)
        elif fmt is WebhookFormat.NTFY:
            self._url = ntfy_target(config.url)[0]
        else:
            self._url = config.url
        self._firing: dict[str, Notification] = {}
        self._refresher = Runner(f"yesman.alerts.refresh:{config.name}")
        self._stop = asyncio.Event()

    @property
    def config(self) -> SinkConfig:
        return self._config

    @property
    def url(self) -> str:
        """Where the POSTs go."""
        return self._url

    async def start(self) -> None:
        if self._session is None:
            import aiohttp  # noqa: PLC0415 (see the module docstring)

            self._session = aiohttp.ClientSession(
                headers={"User-Agent": "yesman-alerts", **self._config.headers},
                timeout=aiohttp.ClientTimeout(total=self._config.timeout),
            )
        if self._config.format is WebhookFormat.ALERTMANAGER:
            self._stop.clear()
            await self._refresher.start(self._refresh_forever)

    async def aclose(self) -> None:
        await self._refresher.stop(self._stop.set, timeout=self._config.timeout + 1.0)
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def deliver(self, notification: Notification) -> str | None:
        if self._config.format is WebhookFormat.ALERTMANAGER:
            fp = notification.alert.fingerprint
            if notification.status is NotificationStatus.FIRING:
                self._firing[fp] = notification
            elif self._firing.pop(fp, None) is None:
                return "not sent: Alertmanager was never sent this alert firing"
        data = body(self._config.format, notification, url=self._config.url, now=self._clock())
        return await self._post(data)

    async def _post(self, data: Any) -> str | None:
        session = self._session
        if session is None:
            raise DeliveryError(f"webhook {self._config.name} is not started")
        import aiohttp  # noqa: PLC0415 (loaded by start())

        try:
            async with session.post(self._url, json=data) as response:
                status = response.status
                if status < 300:
                    return None
                text = (await response.text(errors="replace"))[:200].strip()
        except aiohttp.ClientError as exc:
            raise DeliveryError(f"POST {self._url}: {type(exc).__name__}: {exc}") from exc
        permanent = 400 <= status < 500 and status not in _RETRYABLE_4XX
        detail = f": {text}" if text else ""
        raise DeliveryError(f"POST {self._url} answered {status}{detail}", permanent=permanent)

    async def _refresh_forever(self, ready: asyncio.Event) -> None:
        ready.set()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), REFRESH)
                return
            if not self._firing:
                continue
            now = self._clock()
            alerts = [alertmanager_alert(n, now) for n in self._firing.values()]
            try:
                await self._post(alerts)
            except DeliveryError as exc:
                _log.warning("alertmanager sink %s: refresh failed: %s", self._config.name, exc)
