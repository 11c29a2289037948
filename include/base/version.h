/* version.h: the one place that holds flowsim's version. */
#ifndef FLOWSIM_VERSION_H
#define FLOWSIM_VERSION_H
#define FLOWSIM_VERSION "0.1.0"
#endif
