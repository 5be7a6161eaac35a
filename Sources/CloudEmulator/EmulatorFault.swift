/// An error answer of the emulated service, with the HTTP status the real one uses.
struct EmulatorFault: Error, Sendable {
    let code: String
    let message: String
    let status: Int

    init(_ code: String, _ message: String, status: Int = 400) {
        self.code = code
        self.message = message
        self.status = status
    }

    static func missing(_ name: String) -> EmulatorFault {
        EmulatorFault("MissingParameter", "The input parameter \"\(name)\" that is mandatory for processing this request is not supplied.")
    }

    static func invalid(_ name: String, _ value: String) -> EmulatorFault {
        EmulatorFault("InvalidParameter", "The specified parameter \"\(name)\" is not valid: \(value)")
    }

    static func eniNotFound(_ id: String) -> EmulatorFault {
        EmulatorFault("InvalidEniId.NotFound", "The specified NetworkInterfaceId \(id) does not exist.", status: 404)
    }

    static func instanceNotFound(_ id: String) -> EmulatorFault {
        EmulatorFault("InvalidInstanceId.NotFound", "The specified InstanceId \(id) does not exist.", status: 404)
    }

    static func eniState(_ id: String, _ phase: ENIRecord.Phase) -> EmulatorFault {
        EmulatorFault("InvalidOperation.InvalidEniState", "The operation is not allowed in the current status (\(phase.rawValue)) of ENI \(id).", status: 403)
    }
}
