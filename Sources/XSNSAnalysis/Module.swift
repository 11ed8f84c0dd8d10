// XSNSAnalysis: see DESIGN.md for this module's boundary.
