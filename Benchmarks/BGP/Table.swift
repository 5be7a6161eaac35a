/// Prints measurements as a table with time and memory ratios against a reference row.
enum Table {
    static func print(_ title: String, _ rows: [Measurement], reference: String) {
        Swift.print("\n\(title)")
        let header = ["", "time", "removal", "RSS", "peak RSS", "peak with removal", "time vs \(reference)", "RSS vs \(reference)"]
        let ref = rows.first { $0.name == reference }
        var lines = [header]
        for row in rows {
            func ratio(_ a: Double?, _ b: Double?) -> String {
                guard let a, let b, b > 0 else { return "-" }
                return String(format: "%.2fx", a / b)
            }
            if row.failure != nil {
                lines.append([row.name, row.timeText, "-", "-", "-", "-", "-", "-"])
                continue
            }
            // A row without a process of its own (`ip -batch`) has no memory to show.
            let memory = row.rssBytes == 0 ? "-" : Measurement.megabytes(row.rssBytes)
            lines.append([row.name, row.timeText, row.removalText, memory,
                          row.rssBytes == 0 ? "-" : Measurement.megabytes(row.peakRSSBytes),
                          row.peakWithRemovalBytes.map(Measurement.megabytes) ?? "-",
                          row.seconds == nil ? "> " + ratio(row.cap, ref?.seconds) : ratio(row.seconds, ref?.seconds),
                          row.rssBytes == 0 ? "-" : ratio(Double(row.rssBytes), ref.map { Double($0.rssBytes) })])
        }
        let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        for line in lines {
            Swift.print(line.enumerated().map { i, cell in
                i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "   "))
        }
    }
}
