// wirespan/version.hpp — the library version.
#pragma once

#define WIRESPAN_VERSION_MAJOR 0
#define WIRESPAN_VERSION_MINOR 1
#define WIRESPAN_VERSION_PATCH 0
#define WIRESPAN_VERSION_STRING "0.1.0"

namespace wirespan {

/// The library version, as numbers and as "major.minor.patch".
struct version_info {
  int major;
  int minor;
  int patch;
  const char* string;
};

inline constexpr version_info version{WIRESPAN_VERSION_MAJOR, WIRESPAN_VERSION_MINOR,
                                      WIRESPAN_VERSION_PATCH, WIRESPAN_VERSION_STRING};

}  // namespace wirespan
