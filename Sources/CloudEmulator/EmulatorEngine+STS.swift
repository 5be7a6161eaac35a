import CloudAPI
import Foundation
import JSON

/// The STS credentials of an instance's RAM role, as metadata hands them out: the same
/// ones until a third of their life is left, then new ones (old ones stay valid until
/// they expire, as on the service).
extension EmulatorEngine {
    mutating func issueCredentials(role: String, now: Double) -> JSONObject {
        let ttl = Double(world.ramRoles.first { $0.name == role }?.ttlSeconds ?? 3600)
        state.stsCredentials = state.stsCredentials.filter { $0.value.expiration > now }
        let current = state.stsCredentials.first { $0.value.role == role && $0.value.expiration - now > ttl / 3 }
        let (id, record) = current.map { ($0.key, $0.value) } ?? {
            let id = "STS." + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(24)
            let record = EmulatorState.STSRecord(secret: UUID().uuidString, token: "CAIS" + UUID().uuidString + UUID().uuidString,
                                                 role: role, expiration: now + ttl)
            return (String(id), record)
        }()
        state.stsCredentials[id] = record
        var answer = JSONObject()
        answer["AccessKeyId"] = .string(id)
        answer["AccessKeySecret"] = .string(record.secret)
        answer["SecurityToken"] = .string(record.token)
        answer["Expiration"] = .string(ACSTimestamp.format(secondsSince1970: Int64(record.expiration)))
        answer["LastUpdated"] = .string(ACSTimestamp.format(secondsSince1970: Int64(now)))
        answer["Code"] = "Success"
        return answer
    }
}
