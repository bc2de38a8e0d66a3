// libjpeg-turbo's TurboJPEG API (Debian: libturbojpeg0-dev; Homebrew: jpeg-turbo).
#include <turbojpeg.h>
