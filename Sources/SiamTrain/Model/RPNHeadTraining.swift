// Mirrors pysot/models/head/rpn.py: the RPN interface ModelBuilder.forward calls, cls, loc = rpn_head(zf, xf)
import SiamNN

/// A pysot RPN head in training form (`DepthwiseRPN`, `MultiRPN`, `UPChannelRPN`): one call per
/// step on the template and search features (after the neck), one level per backbone output.
protocol RPNHeadTraining: AnyObject {
    /// `rpn_head(zf, xf)`: `cls` `[N, 2A, H, W]` and `loc` `[N, 4A, H, W]`, buffers the head owns.
    /// `templates` / `searches` hold one `[N, C_l, h, w]` map per level (one for single-level heads).
    func forward(templates: [TrainingBuffer], searches: [TrainingBuffer]) -> (cls: TrainingBuffer, loc: TrainingBuffer)

    /// d loss / d (each level's template features, each level's search features), given d loss /
    /// d `cls` and `loc` of the last `forward`; adds the head's parameter gradients.
    func backward(cls: TrainingBuffer, loc: TrainingBuffer) -> (templates: [TrainingBuffer], searches: [TrainingBuffer])

    /// The head's BatchNorm layers (all in train mode: the head always trains).
    var batchNorms: [BatchNormLayer] { get }

    /// The side of the score map for template / search feature sides (per level), nil when the
    /// features are too small or the levels disagree.
    func outputSide(template: [Int], search: [Int]) -> Int?
}
