import ArgumentParser

@main
struct XSNS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xsns",
        abstract: "X-SNS Workbench: language sub-networks of multilingual encoders.",
        subcommands: [])

    mutating func run() throws {
        print("xsns: the workbench is under construction")
    }
}
