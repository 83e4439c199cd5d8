#define TS_VERSION "0.1.0"
