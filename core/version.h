/* version.h: the one place the version is written. */
#ifndef PD_VERSION_H
#define PD_VERSION_H

#define PD_VERSION "0.1.0"

#endif
