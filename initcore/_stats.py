"""The mean, variance and norm of a whole array, as the engine's statistics, overflow check and gradient
norms need them: sums of squares that neither overflow nor lose small squares to underflow."""

from __future__ import annotations

import math
import threading

import numpy as np


def _holds(squares: float, flat: np.ndarray) -> bool:
    """Whether ``squares``, the sum of ``flat``'s squares in its own precision, is exact enough to use: finite,
    and above ``size · tiny / eps``, where squares lost to underflow cannot add up to one digit of it."""
    precision = np.finfo(flat.dtype)
    return math.isfinite(squares) and squares >= flat.size * precision.tiny / precision.eps


CANCELLATION = 1e6  # E[x²]/Var x past which the one-pass variance is redone in two passes (see ``moments``)
CHUNK = 65536  # entries widened to float64 at a time (``_sums``, ``_deviations_squared``), in a 512 KB buffer
SERIAL_DOT = 8192  # entries per BLAS dot (``sum_of_squares``): OpenBLAS shares a longer one among its threads
_scratch = threading.local()  # that buffer, one per thread (the draw threads take moments of their matrices)


def moments(x: np.ndarray) -> tuple[float, float]:
    """Mean and variance of all entries, accumulated in float64.

    A float64 holds every float32 and the exact square of every float32, so the sums Σx and Σx² have float64's
    rounding only (about 10⁻¹⁶ relative, whatever the entries' size: nothing overflows or underflows). The
    one-pass Var x = E[x²] - x̄² then loses log10(E[x²] / Var x) of float64's 16 digits to cancellation: none
    for a zero-mean signal, but all of float32's for a sigmoid layer at 0.5 ± 10⁻⁴. Past ``CANCELLATION`` (6
    digits lost) the variance is taken again by the two-pass formula, the mean square of the deviations from
    x̄, each formed in float64 a chunk at a time. Either way the result is the variance of the entries as
    stored to about 10⁻¹⁰ relative or better. Both results are finite exactly when every entry is, which the
    simulation uses as its overflow check. (Entries of a float64 array so large that their sum overflows are
    summed scaled.)
    """
    flat = x.reshape(-1)
    scale = 1.0
    total, squares = _sums(flat)
    if not math.isfinite(total):  # an inf or NaN entry, or float64 entries whose sum passes 1.8e308
        scale = float(np.max(np.abs(flat)))
        if not math.isfinite(scale):
            return total, math.nan
        flat = flat / scale
        total, squares = _sums(flat)
    mean, mean_square = total / flat.size, squares / flat.size
    variance = mean_square - mean * mean
    if variance * CANCELLATION <= mean_square:
        variance = _deviations_squared(flat, mean) / flat.size
    return mean * scale, max(variance, 0.0) * scale * scale


def batch_error(x: np.ndarray) -> float:
    """The relative standard error of the mean square of ``x`` (one row per input) as an estimate over inputs: the
    spread of the rows' own mean squares s_i, over √rows, relative to their mean,

        √(Σ (s_i - s̄)² / (rows - 1)) / (√rows · s̄).

    The entries of a row are no independent draws (the units of one input share that input's length), so this is
    the error a batch of rows gives, where √(2 / (rows·columns)) is that of independent entries (4 times smaller
    in the middle of a ReLU network of 256 units). NaN with one row, or where every entry is 0. Summed in float32
    where that holds every square, else in float64."""
    rows = x.shape[0]
    squares = np.einsum("ij,ij->i", x, x)
    if x.dtype != np.float64 and not _holds(float(squares.sum()), x.reshape(-1)):
        squares = np.einsum("ij,ij->i", x, x, dtype=np.float64)
    mean = float(squares.mean(dtype=np.float64))
    if rows < 2 or not mean > 0 or not math.isfinite(mean):
        return math.nan
    return float(np.std(squares, ddof=1, dtype=np.float64)) / (math.sqrt(rows) * mean)


def layer_variances(x: np.ndarray) -> np.ndarray:
    """The variance of each layer of a float64 stack ``x`` (..., layers, rows, columns), as ``moments`` takes it: Σx
    and Σx² of every layer in one pass each, E[x²] - x̄²; the layers that lose more than ``CANCELLATION`` to it,
    two-pass (``np.var``). At 30 layers of 32 units × 400 examples this takes under half of ``np.var``'s time, whose
    deviations and squares each fill an array as large as ``x``. A layer with an inf or NaN, or whose squares
    overflow, has a variance that is not finite."""
    count = max(x.shape[-2] * x.shape[-1], 1)
    mean = x.sum(axis=(-2, -1)) / count
    mean_square = np.einsum("...ij,...ij->...", x, x) / count
    variance = mean_square - mean * mean
    redo = (variance * CANCELLATION <= mean_square) & (mean_square > 0)
    if redo.any():
        variance[redo] = np.var(x[redo], axis=(-2, -1))
    return np.maximum(variance, 0.0, out=variance)  # NaN stays NaN


def across_inputs(x: np.ndarray) -> float:
    """The variance of each column of ``x`` (a unit) over its rows (the inputs), with rows − 1 in the denominator,
    averaged over the columns: the part of x's variance that tells one input from another, which a unit's own mean
    over the inputs (a bias, say) does not carry. Two passes in float64, so that a unit at 0.3 ± 10⁻⁵ keeps its
    spread; NaN with one row."""
    if x.shape[0] < 2:
        return math.nan
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.var(x, axis=0, ddof=1, dtype=np.float64).mean())


def spreads(x: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    """The standard deviation of ``x`` over ``axis``, as ``np.std``, finite exactly where every entry is: where the
    entries' squares overflow (|x| from about 1e154), a slice is taken again on x / max |x|, whose squares lie in
    [0, 1]: std x = max |x| · std(x / max |x|). Only those slices pay for it."""
    with np.errstate(over="ignore", invalid="ignore"):
        spread = np.asarray(np.std(x, axis=axis))  # one slice: an array of no dimensions, not a number
    overflowed = ~np.isfinite(spread)
    if overflowed.any():
        for at in np.ndindex(spread.shape):
            largest = float(np.max(np.abs(x[at]))) if overflowed[at] else math.inf
            if math.isfinite(largest):  # every entry a number: only the squares overflowed
                spread[at] = largest * float(np.std(x[at] / largest))
    return spread


def _sums(flat: np.ndarray) -> tuple[float, float]:
    """Σx and Σx² of a flat array, in float64: a float32 array a chunk at a time, each widened (exactly) into a
    reused float64 buffer, summed pairwise and squared by one BLAS dot, in a third of the time that summing and
    squaring while converting takes."""
    if flat.dtype == np.float64:
        return float(np.add.reduce(flat)), sum_of_squares(flat)
    buffer = _buffer()
    total = sum_squares = 0.0
    for start in range(0, flat.size, CHUNK):
        chunk = buffer[: min(CHUNK, flat.size - start)]
        np.copyto(chunk, flat[start : start + CHUNK])
        total += float(np.add.reduce(chunk))
        sum_squares += sum_of_squares(chunk)
    return total, sum_squares


def _buffer() -> np.ndarray:
    """This thread's float64 buffer of ``CHUNK`` entries."""
    buffer = getattr(_scratch, "buffer", None)
    if buffer is None:
        buffer = _scratch.buffer = np.empty(CHUNK)
    return buffer


def _deviations_squared(flat: np.ndarray, mean: float) -> float:
    """Σ (x - mean)², each deviation and square in float64, a chunk at a time in a reused buffer."""
    buffer = _buffer()
    sum_squares = 0.0
    for start in range(0, flat.size, CHUNK):
        chunk = flat[start : start + CHUNK]
        sum_squares += sum_of_squares(np.subtract(chunk, mean, out=buffer[: chunk.size], dtype=np.float64))
    return sum_squares


def sum_of_squares(flat: np.ndarray) -> float:
    """Σx² of a flat array in its own precision, by BLAS dots of at most ``SERIAL_DOT`` entries each.

    OpenBLAS shares a longer dot between its threads. For 65,536 entries that saves a few microseconds on an idle
    machine, but where another process holds a core (a class's sessions, the browser beside the server) the dot
    waits for its second thread: measured on the 2-core machine, up to 7 ms for a call that takes 10 µs on one
    thread. Dots this short stay on the calling thread, and cost less than a shared one.
    """
    if flat.size <= SERIAL_DOT:  # a layer's gradient in training: one dot, as often as every epoch
        return float(np.dot(flat, flat))
    pieces = (flat[start : start + SERIAL_DOT] for start in range(0, flat.size, SERIAL_DOT))
    return sum(float(np.dot(piece, piece)) for piece in pieces)  # past float's range: inf, as one dot's


def norm(x: np.ndarray) -> float:
    """‖x‖₂ over all entries (a matrix's Frobenius norm), finite exactly when every entry is.

    ``sqrt(x · x)`` is one BLAS call, but its sum of squares overflows long before the norm does (float64:
    entries from about 1e154 on; a run on its way to diverging gets there) and loses the squares of entries
    below about 1e-154 to underflow. In either case, as in ``moments``, the sum is redone on ``x / max |x|``,
    whose squares lie in [0, 1]: ‖x‖ = max |x| · ‖x / max |x|‖.
    """
    return norms([x])[0]


def norms(arrays: list[np.ndarray]) -> list[float]:
    """``norm`` of each of ``arrays`` (a network's dL/dW_l, once an epoch), under one error state for all of them,
    which at 3 layers of 32 units cost more than the products."""
    flats = [x.reshape(-1) for x in arrays]
    with np.errstate(over="ignore", under="ignore"):  # both are handled below (a strided x warns, BLAS never)
        sums = [sum_of_squares(flat) for flat in flats]
    return [math.sqrt(sq) if _holds(sq, flat) else _rescaled_norm(flat) for sq, flat in zip(sums, flats)]


def _rescaled_norm(flat: np.ndarray) -> float:
    """``norm`` of a flat array whose sum of squares over- or underflowed: on ``flat / max |flat|``."""
    largest = float(np.max(np.abs(flat), initial=0.0))
    if not 0.0 < largest < math.inf:  # all zeros (0), or an inf or NaN entry (inf or NaN)
        return largest
    scaled = flat / largest
    return largest * math.sqrt(sum_of_squares(scaled))
