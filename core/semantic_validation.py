"""Prompt validation by meaning: cosine similarity of embeddings against music requests.

``SemanticValidator`` implements ``PromptValidator``.  The cheap lexical reading
answers first when it is decisive (plainly music, or plainly another task with no
music word at all); the uncertain middle is embedded and compared (numpy cosine)
with a reference set of music requests, and passes when its best similarity reaches
the threshold.  The references are embedded once per embedding model and kept in the
store's cache, so a restart costs no embedding calls.  When the embedder is down or
slow, the lexical verdict stands, and the embedder rests for a while before it is
asked again.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

import numpy as np
import numpy.typing as npt

from core.models import DependencyStatus, ValidationResult
from core.ports import Embedder, PromptValidator
from core.validation import LexicalValidator, assess
from core.wording import REJECTION_REASON

log = logging.getLogger(__name__)

CACHE_NAMESPACE = "reference-embeddings"
LEXICAL_ACCEPT = 0.75  # a lexical score this high is music beyond doubt
EMBEDDER_REST_S = 30.0  # after a failure, the lexical check answers alone this long
CACHE_LIFETIME = timedelta(days=365)

Matrix = npt.NDArray[np.float32]


class EmbeddingCache(Protocol):
    """The part of the store the validator uses (``core.ports.Store`` has it)."""

    async def cache_get(self, namespace: str, key: str, now: datetime) -> str | None: ...

    async def cache_put(self, namespace: str, key: str, value: str, expires_at: datetime) -> None: ...


def _normalised(vectors: Sequence[Sequence[float]]) -> Matrix:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise ValueError("embeddings must be a non-empty list of equal-length vectors")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.where(norms == 0, 1.0, norms), dtype=np.float32)


def encode_matrix(matrix: Matrix) -> str:
    """A compact text form of a float32 matrix for the cache."""
    data = base64.b64encode(np.ascontiguousarray(matrix, dtype="<f4").tobytes()).decode()
    return json.dumps({"rows": int(matrix.shape[0]), "cols": int(matrix.shape[1]), "data": data})


def decode_matrix(text: str) -> Matrix:
    raw = json.loads(text)
    flat = np.frombuffer(base64.b64decode(raw["data"]), dtype="<f4")
    return np.asarray(flat.reshape(int(raw["rows"]), int(raw["cols"])), dtype=np.float32)


class SemanticValidator:
    """``PromptValidator`` by embedding similarity, with the lexical check in front and behind."""

    name = "embedding"

    def __init__(
        self,
        embedder: Embedder,
        cache: EmbeddingCache,
        phrases: Sequence[str],
        *,
        threshold: float,
        timeout_s: float,
        lexical: PromptValidator | None = None,
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        rest_s: float = EMBEDDER_REST_S,
    ) -> None:
        if not phrases:
            raise ValueError("the semantic validator needs reference phrases")
        self.embedder = embedder
        self.threshold = threshold
        self.timeout_s = timeout_s
        self._cache = cache
        self._phrases = tuple(phrases)
        self._lexical = lexical or LexicalValidator()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        self._references: Matrix | None = None
        self._loading: asyncio.Task[Matrix] | None = None
        self._rest_until = 0.0
        self._rest_s = rest_s
        self._trust_cache = True
        self.last_error = ""  # the latest embedder failure, for the status page

    @property
    def cache_key(self) -> str:
        """References are keyed by the embedding model and the phrases themselves."""
        digest = hashlib.sha256("\n".join(self._phrases).encode()).hexdigest()[:16]
        return f"{self.embedder.name}:{digest}"

    async def validate(self, prompt: str) -> ValidationResult:
        """Judges ``prompt``; the reason on refusal is fit to show the user."""
        evidence = assess(prompt)
        if evidence.score >= LEXICAL_ACCEPT or (evidence.score == 0 and evidence.negative):
            return await self._lexical.validate(prompt)
        if self._monotonic() < self._rest_until:
            return await self._lexical.validate(prompt)
        try:
            async with asyncio.timeout(self.timeout_s):
                references = self._references
                if references is None:
                    references = await asyncio.shield(self._references_task())
                vector = _normalised(await self.embedder.embed([prompt]))[0]
        except Exception as exc:  # any embedder trouble: the lexical check answers
            self._rest_until = self._monotonic() + self._rest_s
            self.last_error = "no answer in time" if isinstance(exc, TimeoutError) else str(exc)
            log.warning("embedding validation unavailable (%s); using the lexical check",
                        type(exc).__name__ if isinstance(exc, TimeoutError) else exc)
            return await self._lexical.validate(prompt)
        if references.shape[1] != vector.shape[0]:
            # The model behind the name changed: embed the references afresh, ignoring the cache.
            log.warning("embedding size changed; recomputing the reference embeddings")
            self._references, self._loading, self._trust_cache = None, None, False
            return await self._lexical.validate(prompt)
        self.last_error = ""
        score = float(np.max(references @ vector))
        shown = round(min(max(score, 0.0), 1.0), 3)
        if score >= self.threshold:
            return ValidationResult(ok=True, score=shown, method=self.name,
                                    reason="close to known music requests")
        return ValidationResult(ok=False, score=shown, method=self.name, reason=REJECTION_REASON())

    async def health(self) -> DependencyStatus:
        """The embedder's own check, and down while its last request failed.

        After a failure the lexical check answers alone for a while; health says so until
        the embedder answers a request (or its check) again.
        """
        status = await self.embedder.health()
        if status.ok and self.last_error and self._monotonic() < self._rest_until:
            return DependencyStatus(status.name, False, f"{self.embedder.name}: "
                                    f"{self.last_error} (the lexical check answers meanwhile)")
        if not status.ok:
            return DependencyStatus(status.name, False, f"{self.embedder.name}: {status.detail}")
        self.last_error = ""  # it answers again: the next prompt may use it
        self._rest_until = 0.0
        return status

    def _references_task(self) -> asyncio.Task[Matrix]:
        """One shared task loads (or computes) the references; a failed one is retried later."""
        task = self._loading
        if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
            task = asyncio.get_running_loop().create_task(
                self._fetch_references(), name="reference-embeddings"
            )
            # A task the timeout left behind may fail unobserved: observe it here.
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            self._loading = task
        return task

    async def _fetch_references(self) -> Matrix:
        now = self._clock()
        cached = await self._cache.cache_get(CACHE_NAMESPACE, self.cache_key, now)
        if cached is not None and self._trust_cache:
            try:
                matrix = decode_matrix(cached)
                if matrix.shape[0] == len(self._phrases):
                    self._references = matrix
                    return matrix
            except (ValueError, KeyError, TypeError):
                log.warning("cached reference embeddings are unreadable; recomputing them")
        matrix = _normalised(await self.embedder.embed(self._phrases))
        await self._cache.cache_put(
            CACHE_NAMESPACE, self.cache_key, encode_matrix(matrix), now + CACHE_LIFETIME
        )
        self._references = matrix
        log.info("embedded %d reference phrases with %s", len(self._phrases), self.embedder.name)
        return matrix

    async def aclose(self) -> None:
        """Stops a reference computation still under way."""
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
            try:
                await self._loading
            except (asyncio.CancelledError, Exception):
                pass
