import CNI
import CNIProtocol

extension ENIPool {
    /// The socket's `status` (the plugin's STATUS): an allocate can be served now when an
    /// address is idle, or when an ENI or the quota has room for more and a vSwitch has
    /// addresses left. Otherwise code 50 saying why, with the pool's last failure.
    func status() throws(CNIError) {
        if idleCount > 0 { return }
        let perENI = settings.quota.eniPrivateIpAddressQuantity - 1
        let room = enis.contains { eni in
            !exhausted.contains(eni.vSwitchId) && ledger.state.addresses.values.count { $0.eni == eni.id } < perENI
        } || (ledger.state.enis.count < enisAllowed && settings.vSwitches.contains { !exhausted.contains($0) })
        guard room else {
            throw CNIError(.pluginNotAvailable, "no address left on \(instance.id)",
                           details: quotaText + (lastFailure.map { "; last failure: \($0)" } ?? ""))
        }
    }
}
