import Foundation
import XSNSStorage

/// The engine's head importance, `heads/<lang>.seed<k>.safetensors` with tensor `head_importance`
/// [layers, heads] (E|∂L/∂ξ_h|, Michel et al.), written by `xsns compute` beside the Fisher files.
extension FisherCatalog {
    /// A language's head importance averaged over its seeds; nil when none was stored.
    public func headImportance(_ language: String) throws -> HeadGrid? {
        let folder = session.appendingPathComponent("heads")
        var grids: [[[Double]]] = []
        for seed in (files[language] ?? [:]).keys.sorted() {
            let url = folder.appendingPathComponent("\(language).seed\(seed).safetensors")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let file = try SafeTensorsFile(url: url)
            guard let info = file.info("head_importance"), info.shape.count == 2, info.shape.allSatisfy({ $0 > 0 })
            else { throw InputError(file: url.path, "no [layers, heads] tensor 'head_importance'") }
            let flat = try file.floats("head_importance").map(Double.init)
            let heads = info.shape[1]
            let grid = (0..<info.shape[0]).map { layer in Array(flat[(layer * heads)..<((layer + 1) * heads)]) }
            if let first = grids.first, first.count != grid.count || first[0].count != heads {
                throw InputError(file: url.path, "head_importance has a different shape than for the other seeds")
            }
            grids.append(grid)
        }
        guard let first = grids.first else { return nil }
        return HeadGrid(first.indices.map { layer in
            first[layer].indices.map { head in grids.map { $0[layer][head] }.reduce(0, +) / Double(grids.count) }
        })
    }
}
