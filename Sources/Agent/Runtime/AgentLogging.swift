import Logging

/// One line per event on stdout: time, level, label, `key=value` metadata, message.
public enum AgentLogging {
    public static func bootstrap(level: Logger.Level = .info) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
