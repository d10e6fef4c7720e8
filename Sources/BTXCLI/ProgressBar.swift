import BTXSession
import Glibc

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar {
    private let output: Output
    private let label: String
    private let started = monotonicSeconds()
    private var lastDrawn = 0.0

    init(output: Output, label: String) {
        self.output = output
        self.label = label
    }

    func update(done: Int64, total: Int64) {
        guard output.showsProgress, total > 0 else { return }
        let now = monotonicSeconds()
        guard now - lastDrawn >= 0.1 || done == total else { return }
        lastDrawn = now
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let elapsed = now - started
        var eta = ""
        if fraction > 0.01 && fraction < 1 {
            eta = "  ETA " + Units.duration(seconds: Int64((elapsed / fraction - elapsed).rounded()))
        }
        output.progress("\(label) \(bar) \(Int(fraction * 100))%  \(done)/\(total) pieces\(eta)")
    }

    func finish() { output.endProgress() }
}
