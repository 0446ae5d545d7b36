/* version.h - the version recorded in model bundles and printed by --version.
 */
#ifndef RK_VERSION_H
#define RK_VERSION_H

#define RK_VERSION "0.1.0"

#endif
