import BTXSession
import Glibc

/// `status TORRENT`'s picture of a torrent, from its `piece_map` document:
/// which pieces are done (█), partly there or being fetched (▒) or missing
/// (░), and how many peers have each (▁ to █), every cell standing for an
/// equal run of pieces so that the map fits `width` columns.
struct PieceMapLines {
    let have: [Bool]
    let downloading: [Bool]
    let availability: [Int]?

    init?(_ document: PieceMapDocument) {
        let count = document.pieces
        guard count > 0, let have = bitfieldBits(hex: document.bitfield, count: count) else { return nil }
        self.have = have
        downloading = document.downloading.flatMap { bitfieldBits(hex: $0, count: count) } ?? [Bool](repeating: false, count: count)
        availability = document.availability?.count == count ? document.availability : nil
    }

    /// Cells of the map: `width` or fewer, each over the same number of pieces (the last takes the rest).
    private func cells(_ width: Int) -> [Range<Int>] {
        let count = have.count
        let columns = max(1, min(width, count))
        return (0..<columns).map { column in (column * count / columns)..<((column + 1) * count / columns) }
    }

    func lines(width: Int) -> [String] {
        let label = 7  // "pieces " and "peers  "
        let cells = cells(max(10, width - label - 2))
        let map = cells.map { range -> Character in
            let done = range.filter { have[$0] }.count
            if done == range.count { return "█" }
            if done > 0 || range.contains(where: { downloading[$0] }) { return "▒" }
            return "░"
        }
        let done = have.filter { $0 }.count
        var lines = ["pieces ▕" + String(map) + "▏ \(done)/\(have.count)"]
        if let availability {
            let levels = Array("▁▂▃▄▅▆▇█")
            let top = max(1, availability.max() ?? 1)
            let bars = cells.map { range -> Character in
                let mean = Double(range.map { availability[$0] }.reduce(0, +)) / Double(range.count)
                return mean == 0 ? " " : levels[min(levels.count - 1, Int((mean / Double(top) * Double(levels.count - 1)).rounded(.up)))]
            }
            let least = availability.min() ?? 0
            let mean = Double(availability.reduce(0, +)) / Double(availability.count)
            lines.append("peers  ▕" + String(bars) + "▏ min \(least), mean \(Units.oneDecimal(mean))")
        }
        return lines
    }
}
