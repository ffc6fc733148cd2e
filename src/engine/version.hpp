#pragma once

#define ARTISTFETCH_VERSION "1.0.0"
