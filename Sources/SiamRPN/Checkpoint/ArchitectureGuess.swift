/// Which pysot-family model a state dict's keys look like, e.g.
/// "siamrpn_alex_dwxcorr (AlexNetLegacy + DepthwiseRPN)". `siamrpn inspect` prints it
/// ("looks like: ..."), `siamrpn convert` stores it as the safetensors `architecture` metadata,
/// and a checkpoint that does not fit its config names it in the error ("This file looks like
/// ...; check that --config matches --snapshot").
///
/// Recognised key patterns (pysot's module names; a `module.` prefix is ignored):
/// - backbone: `backbone.conv1` + `backbone.layerN` (ResNet; `layer1.0.conv3` means Bottleneck,
///   i.e. ResNet-50, otherwise ResNet-18/34), `backbone.layer0`..`layer7` (MobileNetV2),
///   `backbone.layer1`..`layer5` without `layer0` (AlexNet), `backbone.features.N` with five
///   conv weights, i.e. a `.weight` with a `.bias` and no running statistics (AlexNetLegacy);
/// - neck: `neck.downsample2/3/4` (AdjustAllLayer), `neck.downsample` (AdjustLayer);
/// - head: `rpn_head.rpn2/3/4` (MultiRPN), `rpn_head.cls.conv_kernel` (DepthwiseRPN),
///   `rpn_head.template_cls_conv` (UPChannelRPN), `mask_head` / `refine_head` (SiamMask),
///   `ban_head` (NanoTrack's BAN head; v1/v2/v3 told apart by their correlation modules);
/// - ImageNet backbones without the `backbone.` prefix (pysot's `pretrained_models/*.model`).
///
/// Returns a pysot experiment name with its parts when the combination is one of pysot's model
/// zoo configurations, a description of the parts otherwise, and nil when nothing matches.
package func architectureGuess(keys: [String]) -> String? {
    let keys = keys.map { $0.hasPrefix("module.") ? String($0.dropFirst("module.".count)) : $0 }
    let keySet = Set(keys)
    func has(_ prefix: String) -> Bool { keys.contains { $0.hasPrefix(prefix) } }

    if has("ban_head.") {
        let version = has("ban_head.corr_dw_cls.") ? " v3" : has("ban_head.corr_pw_cls.") ? " v2" : has("ban_head.corr_pw.") ? " v1" : ""
        return "NanoTrack\(version) (MobileNetV3 + AdjustLayer + BAN head; not a SiamRPN++ model)"
    }

    func backbone(_ p: String) -> String? {
        if has(p + "conv1."), has(p + "layer1.") {
            let depth = has(p + "layer1.0.conv3.") ? "ResNet-50" : "ResNet-18/34"
            let layers = (1...4).filter { has(p + "layer\($0).") }.map(String.init).joined()
            return "\(depth) (layers \(layers))"
        }
        if has(p + "layer0."), has(p + "layer7.") || has(p + "layer1.0.conv.") { return "MobileNetV2" }
        if has(p + "layer1."), has(p + "layer5."), !has(p + "layer0.") { return "AlexNet" }
        let convs = keys.filter { $0.hasPrefix(p + "features.") && $0.hasSuffix(".weight") }
            .filter { key in
                // Conv weights have a bias twin and no running statistics next to them.
                let base = String(key.dropLast(".weight".count))
                return keySet.contains(base + ".bias") && !keySet.contains(base + ".running_mean")
            }
        if convs.count == 5 { return "AlexNetLegacy" }
        return nil
    }

    guard let bb = backbone("backbone.") else {
        // A bare ImageNet backbone, as pysot's BACKBONE.PRETRAINED files are.
        if let bare = backbone(""), !has("rpn_head."), !has("neck.") {
            return "ImageNet \(bare) backbone weights (a BACKBONE.PRETRAINED file, not a tracker snapshot)"
        }
        return nil
    }
    let neck = has("neck.downsample2.") ? "AdjustAllLayer" : has("neck.downsample.") ? "AdjustLayer" : nil
    let head: String?
    if has("rpn_head.rpn2.") || has("rpn_head.rpn3.") || has("rpn_head.rpn4.") {
        head = "MultiRPN"
    } else if has("rpn_head.cls.conv_kernel.") {
        head = "DepthwiseRPN"
    } else if has("rpn_head.template_cls_conv.") {
        head = "UPChannelRPN"
    } else {
        head = nil
    }
    let mask = has("mask_head.") || has("refine_head.")
    let parts = ([bb, neck, head] + (mask ? ["mask/refine heads"] : [])).compactMap { $0 }.joined(separator: " + ")

    switch (bb, neck, head, mask) {
    case ("ResNet-50 (layers 1234)", "AdjustAllLayer", "MultiRPN", false):
        return "siamrpn_r50_l234_dwxcorr (\(parts))"
    case ("MobileNetV2", "AdjustAllLayer", "MultiRPN", false):
        return "siamrpn_mobilev2_l234_dwxcorr (\(parts))"
    case ("AlexNetLegacy", nil, "DepthwiseRPN", false):
        return "siamrpn_alex_dwxcorr (\(parts))"
    case (_, "AdjustLayer", "DepthwiseRPN", true) where bb.hasPrefix("ResNet-50"):
        return "siammask_r50_l3 (\(parts))"
    default:
        return "pysot model (\(parts))"
    }
}
