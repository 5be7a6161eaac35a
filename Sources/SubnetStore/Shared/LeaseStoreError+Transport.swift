/// Maps what the network stores' clients throw onto `LeaseStoreError`, the one error type
/// callers of a `LeaseStore` handle. `store` names the store (its URL) in the message.
extension LeaseStoreError {
    static func wrapping(_ error: any Error, store: String) -> LeaseStoreError {
        switch error {
        case let error as LeaseStoreError: error
        case is CancellationError: .unavailable(store: store, reason: "the operation was cancelled")
        default: .unavailable(store: store, reason: "\(error)")
        }
    }
}
