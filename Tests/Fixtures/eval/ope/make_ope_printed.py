# Dev-time oracle: runs pysot's own OPEBenchmark.show_result (unmodified, from the mirror) on the
# NanoTrack OPE curves and records what it prints.
import io, json, sys, contextlib
import numpy as np
sys.path.insert(0, '/tmp/pysot_oracle')
from toolkit.evaluation.ope_benchmark import OPEBenchmark
m = json.load(open(sys.argv[1]))
order = ["NanoTrackV3", "NanoTrackV2", "NanoTrackV1"]
def ret(key):
    return {t: {v: np.array(c[key]) for v, c in m[t]["per_sequence"].items()} for t in order}
b = OPEBenchmark(None)
out = {}
def capture(*a, **k):
    f = io.StringIO()
    with contextlib.redirect_stdout(f):
        b.show_result(*a, **k)
    return f.getvalue()
out["otb_success_precision_video_level"] = capture(ret("success_curve"), ret("precision_curve"), show_video_level=True)
out["lasot_with_norm_precision"] = capture(ret("success_curve"), ret("precision_curve"), ret("norm_precision_curve"))
out["tracker_order"] = order
out["versions"] = {"python": sys.version.split()[0], "numpy": np.__version__, "pysot_commit": sys.argv[2]}
json.dump(out, open(sys.argv[3], "w"), indent=1)
print(out["otb_success_precision_video_level"]); print(out["lasot_with_norm_precision"])
