// Mirrors pysot training_dataset/vid/gen_json.py: the snippets of a track (split at gaps, isolated frames dropped)

/// gen_json.py's split of one track: `positions` are the indices (in the video's frame list) of
/// the frames where the track is annotated, sorted; they are split wherever consecutive indices
/// differ by more than 1 (`np.split(ids, where(diff(ids) > 1) + 1)`), and snippets of a single
/// frame are dropped.
///
/// pysot then assigns each snippet to the same `train.json` key (`snippets[video]['%02d' % track]`),
/// so for VID only the *last* snippet of a track survives; `siamrpn prepare` keeps the frames of
/// every snippet (`keptFrames`), which is what the split is meant to do.
package func trackSnippets(_ positions: [Int]) -> [[Int]] {
    var snippets: [[Int]] = []
    var current: [Int] = []
    for p in positions {
        if let last = current.last, p - last > 1 {
            snippets.append(current)
            current = []
        }
        current.append(p)
    }
    if !current.isEmpty { snippets.append(current) }
    return snippets.filter { $0.count > 1 }
}

/// The frames `siamrpn prepare` writes for a track: every frame of every snippet of more than one frame.
package func keptFrames(_ positions: [Int]) -> [Int] { trackSnippets(positions).flatMap { $0 } }
