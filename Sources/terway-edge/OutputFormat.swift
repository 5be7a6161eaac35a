import ArgumentParser

/// `--output table|json` of every command that lists things: an aligned table for
/// people, stable JSON (sorted keys) for tools.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
