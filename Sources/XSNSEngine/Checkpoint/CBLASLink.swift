// The engine links OpenBLAS for its GEMMs; this import keeps the dependency explicit from the start.
import CBLAS
