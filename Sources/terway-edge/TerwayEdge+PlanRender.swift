import ArgumentParser
import Foundation
import Plan

extension TerwayEdge.PlanCommand {
    struct PlanRender: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Print the cross-domain paths, the static routes a device needs, or the edge gateway's BGP configuration.",
            discussion: "paths prints every cross-domain path (cloud to each edge domain and back, edge domain to edge domain, the VPC to each data center's networks) with the route each device on the way needs, or why the plan cannot carry it. vpc, vbr and dc-router print those routes per device (vbr and dc-router: one list per data center, or the one named by --data-center); bird and frr print a BGP configuration for one edge domain's gateway. Nothing is rendered from a plan that `plan check` finds errors in.\n\nExit status: 0 when rendered, 1 when the plan has errors, 2 when the file cannot be read or parsed."
        )

        enum Device: String, ExpressibleByArgument, CaseIterable {
            case paths, vpc, vbr, dcRouter = "dc-router", bird, frr
        }

        enum Output: String, ExpressibleByArgument, CaseIterable {
            case text, json
        }

        @OptionGroup var file: PlanFileOptions

        @Option(name: .customLong("for"), help: ArgumentHelp("What to render.", valueName: "device"))
        var device: Device

        @Option(help: ArgumentHelp("Output format of paths and route lists: text or json.", valueName: "format"))
        var output: Output = .text

        @Option(help: ArgumentHelp("The edge domain whose gateway to configure (bird, frr); needed when the plan has several.", valueName: "name"))
        var domain: String?

        @Option(help: ArgumentHelp("The data center whose VBR or router to list (vbr, dc-router); all by default.", valueName: "name"))
        var dataCenter: String?

        var isGateway: Bool { device == .bird || device == .frr }

        func validate() throws {
            if output == .json && isGateway {
                throw ValidationError("--output json is for paths and route lists; bird and frr print a configuration file")
            }
            if domain != nil && !isGateway {
                throw ValidationError("--domain picks a gateway; it applies to --for bird and --for frr")
            }
            if dataCenter != nil && !(device == .vbr || device == .dcRouter) {
                throw ValidationError("--data-center picks a VBR or router; it applies to --for vbr and --for dc-router")
            }
        }

        func run() async throws {
            let plan = try file.load()
            // Routes and configs of a plan with errors would carry its mistakes onto real devices.
            let report = CheckReport(plan: plan)
            guard report.isSound else {
                FileHandle.standardError.write(Data("\(file.plan): the plan has \(report.errors) error(s); run `terway-edge plan check \(file.plan)` and fix them first\n".utf8))
                throw ExitCode(1)
            }
            switch device {
            case .paths:
                print(output == .text ? CrossDomainPath.text(plan.paths) : CrossDomainPath.json(plan.paths), terminator: "")
            case .vpc, .vbr, .dcRouter:
                var lists = plan.routes(for: RoutedDevice.Kind(rawValue: device.rawValue)!)
                if let dataCenter {
                    lists = lists.filter { $0.dataCenter == dataCenter }
                    guard !lists.isEmpty else {
                        throw ValidationError("no data center '\(dataCenter)'; the plan has \(plan.dataCenters.map(\.name).joined(separator: ", "))")
                    }
                }
                print(output == .text ? DeviceRoutes.text(lists) : DeviceRoutes.json(lists), terminator: "")
            case .bird, .frr:
                let policy: GatewayPolicy
                do {
                    policy = try GatewayPolicy(plan: plan, domain: domain)
                } catch .unsoundPlan(let name) {
                    FileHandle.standardError.write(Data("\(file.plan): \(GatewayPolicy.RenderError.unsoundPlan(domain: name))\n".utf8))
                    throw ExitCode(1)
                } catch {
                    throw ValidationError(error.description)  // no or an unknown --domain: a usage error
                }
                print(device == .bird ? BIRDConfig.render(policy) : FRRConfig.render(policy), terminator: "")
            }
        }
    }
}
