import ArgumentParser
import XSNSEngine

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a checkpoint's architecture, parameter counts, dtypes, files and tokenizer type.")

    @Argument(help: "A checkpoint folder or a Hugging Face model id found in the local cache.")
    var spec: String

    func run() throws {
        let checkpoint = try Checkpoint.open(spec)
        print(try CheckpointSummary(checkpoint).report)
    }
}
