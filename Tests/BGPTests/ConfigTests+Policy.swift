import BGP
import BGPCore
import Testing

/// The `import`/`export` keys (RFC 8212) as the config reads them.
extension ConfigTests {
    @Test func configReadsImportAndExportAndDefaultsPerRFC8212() throws {
        let config = try BGPConfig(yaml: """
            localAS: 65002
            routerID: 10.0.0.2
            peers:
              - { address: 10.0.0.1, as: 65001, import: ["reject 10.0.1.0/24 le 32", "10.0.0.0/8 le 24"], export: [10.0.1.0/24] }
              - { address: 10.0.0.3, as: 65001 }
              - { address: 10.0.0.4, as: 65002 }
            """)
        let filtered = config.peers[0]
        #expect(filtered.importFilter?.description == "[reject 10.0.1.0/24 le 32, 10.0.0.0/8 le 24]")
        #expect(filtered.exportFilter?.description == "[10.0.1.0/24]")
        // eBGP without lists: nothing either way; iBGP: everything.
        #expect(config.peers[1].effectiveImport(localAS: 65002) == nil && config.peers[1].effectiveExport(localAS: 65002) == nil)
        #expect(config.peers[2].effectiveImport(localAS: 65002) == .acceptAll)
        #expect(config.peers[2].effectiveExport(localAS: 65002) == .acceptAll)
    }

    @Test(arguments: [("import: []", "peers[0].import: must list at least one entry"),
                      ("import: [\"10.0.0.0/16 le 8\"]", "peers[0].import[0]: le 8 must be 16..32"),
                      ("export: any", "peers[0].export: expected a list")])
    func badListsAreRefusedNamingTheField(_ line: String, _ message: String) {
        #expect {
            try BGPConfig(yaml: """
                localAS: 65002
                routerID: 10.0.0.2
                peers:
                  - address: 10.0.0.1
                    as: 65001
                    \(line)
                """)
        } throws: { "\($0)".contains(message) }
    }
}
