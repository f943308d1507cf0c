# CPack: one .deb with kasme.so in the global plugin folder of the Wireshark kasme was built
# against (plugin/CMakeLists.txt, component deb) and kasme-verify in /usr/bin. Only the deb
# component is packaged: the default install rules name per-user folders.
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/kasme-verify DESTINATION bin COMPONENT deb EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kasme)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "kasme maintainers <kasme@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "LTE NAS/RRC deciphering and verification for Wireshark")
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "A Wireshark plugin that learns subscriber keys from a key file, follows AKA and\n"
    "the Security Mode Commands, derives the TS 33.401 key hierarchy and deciphers and\n"
    "verifies LTE NAS and RRC (PDCP) in captures. kasme-verify runs it over captures\n"
    "for CI.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};deb;/")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# dpkg-shlibdeps adds the libraries kasme.so links: the libwireshark of the Wireshark it was
# built against by its soname package (libwireshark16 for Wireshark 4.0), libglib2.0-0,
# libgcrypt20, libc6. kasme-verify runs tshark with python3.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3, tshark")
include(CPack)
