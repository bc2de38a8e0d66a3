import SiamNN

/// Adds a PyTorch module sequence to a `GraphBuilder` in one of two forms:
///
/// * **fused** (inference): the activation runs in the convolution's (or channel gate's)
///   epilogue and a residual add inside the convolution, so one value per layer group;
/// * **unfused** (inspection): activations and residual adds are operations of their own, so
///   every module output the reference records (BatchNorm outputs before the activation, the
///   block sum) exists as a value and can be compared.
///
/// BatchNorm is folded into its convolution in both forms: a convolution's raw output before
/// its BatchNorm never exists. Names: `pre` go to the value before the last step (activation or
/// residual add), `post` to the value after it; with neither step both name the one value. A
/// fused graph only carries the names of values it really computes.
struct LayerEmitter {
    let builder: GraphBuilder
    let fused: Bool

    /// `activation(layer(x))`, or `layer(x) + residual` (layers before a residual add are linear).
    func conv(
        _ x: Graph.Value, _ layer: Conv2D, then activation: Activation = .none, residual: Graph.Value? = nil,
        pre: [String] = [], post: [String] = []
    ) -> Graph.Value {
        precondition(residual == nil || activation == .none, "a residual add follows a linear layer here")
        let last = activation != .none || residual != nil
        if fused || !last {
            let v = builder.conv(x, layer.with(activation), residual: residual)
            return named(v, last ? post : pre + post)
        }
        let v = named(builder.conv(x, layer.with(.none)), pre)
        if let residual { return named(builder.weightedSum([residual, v], weights: [1, 1]), post) }
        return named(builder.activation(v, activation), post)
    }

    /// `activation(x * gate(x))` (squeeze-excitation / channel attention, then an activation).
    func gate(
        _ x: Graph.Value, reduce: Conv2D, expand: Conv2D, then activation: Activation = .none,
        pre: [String] = [], post: [String] = []
    ) -> Graph.Value {
        if fused || activation == .none {
            let v = builder.channelGate(x, reduce: reduce, expand: expand, activation: activation)
            return named(v, activation == .none ? pre + post : post)
        }
        let v = named(builder.channelGate(x, reduce: reduce, expand: expand), pre)
        return named(builder.activation(v, activation), post)
    }

    @discardableResult
    func named(_ v: Graph.Value, _ names: [String]) -> Graph.Value {
        for n in names { builder.name(v, n) }
        return v
    }
}
