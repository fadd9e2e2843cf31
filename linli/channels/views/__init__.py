"""The channels app's pages: the console's channel pages (`staff`) and the resident's WeChat
sign-in and binding (`wechat`)."""
