import ArgumentParser
import Foundation
import Plan

extension TerwayEdge.PlanCommand {
    struct PlanRender: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Print the static routes a device needs, or the edge gateway's BGP configuration.",
            discussion: "vpc, vbr and dc-router print static routes for the paths between cloud pods and edge pods; bird and frr print a BGP configuration for one edge domain's gateway. Nothing is rendered from a plan that `plan check` finds errors in.\n\nExit status: 0 when rendered, 1 when the plan has errors, 2 when the file cannot be read or parsed."
        )

        enum Device: String, ExpressibleByArgument, CaseIterable {
            case vpc, vbr, dcRouter = "dc-router", bird, frr
        }

        enum Output: String, ExpressibleByArgument, CaseIterable {
            case text, json
        }

        @OptionGroup var file: PlanFileOptions

        @Option(name: .customLong("for"), help: ArgumentHelp("The device to render for.", valueName: "device"))
        var device: Device

        @Option(help: ArgumentHelp("Output format of the route lists: text or json.", valueName: "format"))
        var output: Output = .text

        @Option(help: ArgumentHelp("The edge domain whose gateway to configure (bird, frr); needed when the plan has several.", valueName: "name"))
        var domain: String?

        func validate() throws {
            if output == .json && (device == .bird || device == .frr) {
                throw ValidationError("--output json is for route lists (vpc, vbr, dc-router); bird and frr print a configuration file")
            }
            if domain != nil && !(device == .bird || device == .frr) {
                throw ValidationError("--domain picks a gateway; it applies to --for bird and --for frr")
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
            case .vpc, .vbr, .dcRouter:
                let routes = plan.routes(for: Plan.RoutedDevice(rawValue: device.rawValue)!)
                print(output == .text ? routes.text : routes.json, terminator: "")
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
