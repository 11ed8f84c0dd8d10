/// `transformers.get_linear_schedule_with_warmup`: the factor rises linearly from 0 over the warm-up
/// steps, then falls linearly to 0 at `totalSteps`. Step 0 is the first optimizer step (so with warm-up
/// it runs at learning rate 0, as Hugging Face's does).
public struct LinearSchedule: Codable, Equatable, Sendable {
    public var peak: Double
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Double, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    public func learningRate(atStep step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step) / Double(max(1, warmupSteps)) }
        return peak * max(0, Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps)))
    }
}
