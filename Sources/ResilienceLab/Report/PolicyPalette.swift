/// The color of each policy, the same in every table and chart of a report: the built-in policies
/// have fixed colors (`none` gray, `naive-retry` red, `default` blue, `tuned` green); other policies
/// get the next color of ``extraColors`` in order of first appearance (cycling after ten).
struct PolicyPalette {
    static let fixedColors: [String: String] = [
        "none": "#7f7f7f", "naive-retry": "#d62728", "default": "#1f77b4", "tuned": "#2ca02c",
    ]
    static let extraColors = [
        "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173",
    ]

    private var colors: [String: String] = [:]
    /// The policies, in order of first appearance.
    private(set) var policies: [String] = []

    /// Colors for `policies` (duplicates ignored), in order.
    init(_ policies: [String]) {
        var next = 0
        for policy in policies where colors[policy] == nil {
            if let fixed = Self.fixedColors[policy] {
                colors[policy] = fixed
            } else {
                colors[policy] = Self.extraColors[next % Self.extraColors.count]
                next += 1
            }
            self.policies.append(policy)
        }
    }

    /// The color of `policy` (black for a policy the palette was not built with).
    func color(_ policy: String) -> String { colors[policy] ?? "#000000" }
}
