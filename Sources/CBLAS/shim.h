#ifndef XSNS_CBLAS_SHIM_H
#define XSNS_CBLAS_SHIM_H
#include <cblas.h>
#endif
