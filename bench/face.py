"""Face engine figures on one core: model load, embedding a 640x480 door frame, 1:N match.

    python bench/face.py

Needs the linli[face] extra. Budgets (docs/face.md): embedding <= 150 ms per frame,
1:N over 10,000 enrolled <= 2 ms.
"""

import os

# Before numpy loads: its BLAS would otherwise start one thread per core and the
# figures would not be "one core". dlib-bin is built without BLAS and runs its
# detector and network on the calling thread, so it needs no setting of its own.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import io  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from _setup import REPO, emit, log, percentiles, time_calls  # noqa: E402

sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from linli.access.face.dlib_engine import DlibFaceEngine  # noqa: E402
from linli.access.face.matcher import FACE_MATCH, FaceIndex  # noqa: E402

BENCH = "face"
FIXTURES = REPO / "linli/access/face/tests/fixtures"
ENROLLED = 10_000


def report(metric: str, samples_ms: list[float]) -> None:
    cuts = percentiles(samples_ms)
    for key in ("p50", "p95"):
        emit(BENCH, f"{metric}_{key}", cuts[key], "ms", n=len(samples_ms))


def door_frame(portrait: str) -> bytes:
    """A portrait pasted into a 640x480 JPEG frame, as a door camera would send it."""
    frame = Image.new("RGB", (640, 480), (126, 132, 138))
    face = Image.open(FIXTURES / f"{portrait}.jpg").convert("RGB")
    face.thumbnail((480, 480))
    frame.paste(face, ((640 - face.width) // 2, 0))
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=85)
    return out.getvalue()


def main() -> None:
    # Pin to a single core so dlib, numpy and Pillow cannot borrow a second one.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    loads = []
    for _ in range(5):
        engine = DlibFaceEngine()
        start = time.perf_counter()
        engine.load()
        loads.append((time.perf_counter() - start) * 1000)
    emit(BENCH, "model_load_p50", percentiles(loads)["p50"], "ms", n=len(loads))

    frames = [door_frame("astronaut"), door_frame("hopper")]
    report("embed_640x480", time_calls(lambda i: engine.embed(frames[i % 2]), 50, warmup=3))

    # 10,000 enrolled: random unit vectors plus the real embeddings of the fixture
    # originals; the probes are the altered copies, which must find their person.
    rng = np.random.default_rng(7)
    real = {p: engine.embed((FIXTURES / f"{p}.jpg").read_bytes()).vector for p in ("astronaut", "hopper")}
    noise = rng.standard_normal((ENROLLED - len(real), 128)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    index = FaceIndex([*real, *range(len(noise))], np.vstack([*real.values(), noise]))
    probes = [
        (person, engine.embed(path.read_bytes()).vector)
        for person in real
        for path in sorted(FIXTURES.glob(f"{person}_*.jpg"))
        if "blurred" not in path.name
    ]
    for person, probe in probes:
        result = index.match(probe)
        assert (result.reason, result.person_id) == (FACE_MATCH, person), result
    report(
        f"match_1n_{ENROLLED // 1000}k", time_calls(lambda i: index.match(probes[i % len(probes)][1]), 1000)
    )
    log(f"one core (cpu {min(os.sched_getaffinity(0))}), {len(index)} enrolled, {len(probes)} probes")


if __name__ == "__main__":
    main()
