import CNetlink

/// The verbs' NLM_F flag sets, chosen here and nowhere else (iproute2's words in comments).
enum RequestKind {
    /// `ip X add`: create, fail with EEXIST if it exists.
    case create
    /// `ip X replace`: create or overwrite.
    case replace
    /// `ip link set`: change an existing object.
    case change
    /// `ip X del`.
    case delete
    /// `ip X get` / `ip link show dev X`: one object back, then the ACK.
    case get
    /// `ip X show`: the whole table, ended by NLMSG_DONE (no ACK).
    case dump

    var flags: UInt16 {
        let request = UInt16(NLM_F_REQUEST), ack = UInt16(NLM_F_ACK)
        switch self {
        case .create: return request | ack | UInt16(NLM_F_CREATE) | UInt16(NLM_F_EXCL)
        case .replace: return request | ack | UInt16(NLM_F_CREATE) | UInt16(NLM_F_REPLACE)
        case .change, .delete, .get: return request | ack
        case .dump: return request | UInt16(NLM_F_DUMP)
        }
    }
}
