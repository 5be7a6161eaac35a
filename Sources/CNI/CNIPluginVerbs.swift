/// The verbs a plugin implements; the dispatcher has already checked the environment,
/// the config and the version gates. Throw `CNIError` for a coded failure.
public protocol CNIPluginVerbs {
    func add(_ request: CNIRequest) throws -> CNIResult
    /// Must succeed for unknown containers, missing namespaces and missing interfaces.
    func del(_ request: CNIRequest) throws
    func check(_ request: CNIRequest) throws
    func gc(_ request: CNIRequest) throws
    func status(_ request: CNIRequest) throws
}
