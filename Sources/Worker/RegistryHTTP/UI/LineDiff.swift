/// Two texts' lines aligned for a side-by-side view: equal lines on both sides, a removed line
/// only on the left, an added one only on the right, a removed line followed by an added one on
/// one row (changed). Longest common subsequence; past `limit` lines a side, rows pair by index.
enum LineDiff {
    enum Kind: Equatable { case same, removed, added, changed }

    struct Row: Equatable {
        let kind: Kind
        let left: String?
        let right: String?
    }

    static let limit = 3000

    static func rows(_ old: [String], _ new: [String]) -> [Row] {
        guard old.count <= limit, new.count <= limit else {
            return (0..<max(old.count, new.count)).map { i in
                let l = i < old.count ? old[i] : nil, r = i < new.count ? new[i] : nil
                return Row(kind: l == r ? .same : (l == nil ? .added : (r == nil ? .removed : .changed)), left: l, right: r)
            }
        }
        let n = old.count, m = new.count
        // lengths[i][j]: LCS of old[i...] and new[j...], one flat array.
        var lengths = [Int32](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i * (m + 1) + j] = old[i] == new[j] ? lengths[(i + 1) * (m + 1) + j + 1] + 1
                    : max(lengths[(i + 1) * (m + 1) + j], lengths[i * (m + 1) + j + 1])
            }
        }
        var raw: [Row] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, old[i] == new[j] {
                raw.append(Row(kind: .same, left: old[i], right: new[j])); i += 1; j += 1
            } else if j < m, i == n || lengths[i * (m + 1) + j + 1] >= lengths[(i + 1) * (m + 1) + j] {
                raw.append(Row(kind: .added, left: nil, right: new[j])); j += 1
            } else {
                raw.append(Row(kind: .removed, left: old[i], right: nil)); i += 1
            }
        }
        // A run of removals next to a run of additions: pair them up as changed rows.
        var rows: [Row] = []
        var k = 0
        while k < raw.count {
            guard raw[k].kind != .same else { rows.append(raw[k]); k += 1; continue }
            var removed: [String] = [], added: [String] = []
            while k < raw.count, raw[k].kind != .same {
                if let l = raw[k].left { removed.append(l) }
                if let r = raw[k].right { added.append(r) }
                k += 1
            }
            for index in 0..<max(removed.count, added.count) {
                let l = index < removed.count ? removed[index] : nil, r = index < added.count ? added[index] : nil
                rows.append(Row(kind: l == nil ? .added : (r == nil ? .removed : .changed), left: l, right: r))
            }
        }
        return rows
    }
}
