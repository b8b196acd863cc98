"""Draws benchmarks/results.png from the figures hot_path.py and media.py left as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = Path(__file__).parent


def main() -> None:
    hot = json.loads((HERE / "hot_path.json").read_text())
    media = json.loads((HERE / "media.json").read_text())
    fig, (calls, ratios, mms) = plt.subplots(1, 3, figsize=(17, 5))

    states = list(hot["call_costs"])
    x = range(len(states))
    calls.bar([i - 0.2 for i in x], [hot["call_costs"][s]["throttled_median_us"] for s in states], 0.4,
              label="throttled call, median")
    calls.bar([i + 0.2 for i in x], [hot["call_costs"][s]["accepted_p99_ms"] * 1000 for s in states], 0.4,
              label="accepted call (1080p frame), p99")
    calls.axhline(20, color="tab:blue", linestyle="--", linewidth=1, label="target 20 µs")
    calls.axhline(2000, color="tab:orange", linestyle="--", linewidth=1, label="target 2 ms")
    calls.set_yscale("log")
    calls.set_xticks(list(x), [s.replace(", ", "\n") for s in states], fontsize=8)
    calls.set_ylabel("µs per sink call (log)")
    calls.set_title("Sink call cost by provider state")
    calls.legend(fontsize=7)

    variants = [(hot["labels"][name].replace(", ", "\n"), ratio) for name, ratio in hot["ratios"].items()]
    variants += [(f"MMS every frame\n{policy}", ratio) for policy, ratio in media["ratios"].items()]
    if "live" in media:
        variants.append(("MMS every frame\nlive 30 fps", media["live"]["ratio"]))
    for i, (_, (median, low, high)) in enumerate(variants):
        ratios.bar(i, median, yerr=[[median - low], [high - median]], capsize=6, color="tab:green")
    ratios.axhline(0.97, color="red", linestyle="--", linewidth=1, label="target 0.97")
    ratios.set_xticks(range(len(variants)), [name for name, _ in variants], fontsize=7, rotation=35, ha="right")
    ratios.set_ylim(0, 1.2)
    ratios.set_ylabel("pipeline fps with sink / without")
    ratios.set_title("1080p pipeline throughput (median, min-max)")
    ratios.legend(fontsize=8)

    sizes = list(media["rates"])
    keys = [("raw_2_threads", "raw cv2 encode, 2 threads"), ("mms_frame", "MMS $frame.image"),
            ("mms_visualization", "MMS $visualization")]
    for k, (key, label) in enumerate(keys):
        mms.bar([i + (k - 1) * 0.27 for i in range(len(sizes))], [media["rates"][s][key] for s in sizes], 0.27,
                label=label)
    mms.set_xticks(range(len(sizes)), sizes)
    mms.set_ylabel("images or alerts per second")
    mms.set_title("MMS throughput vs the raw encoder")
    mms.legend(fontsize=8)

    fig.tight_layout()
    fig.savefig(HERE / "results.png", dpi=110)
    print(f"wrote {HERE / 'results.png'}")


if __name__ == "__main__":
    main()
